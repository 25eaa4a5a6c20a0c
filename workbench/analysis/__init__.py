"""Supervisor review: code frequencies, co-occurrence, intercoder agreement, charts, report.

The modules read a project with a few SQL queries into numpy arrays and compute on whole
arrays (interval arithmetic and sweep lines, never a Python loop per character), so a project
with 100,000 codings answers in well under a second. matplotlib (charts) and scikit-learn are
imported only inside the functions that need them.

Offsets everywhere are code points into the stored document text, end-exclusive; a coding
covers the characters ``text[start:end]``.
"""
