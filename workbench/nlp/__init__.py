"""Danish NLP: the only package that imports spaCy.

Import the submodules you need; nothing heavy is loaded by importing this package.
"""
