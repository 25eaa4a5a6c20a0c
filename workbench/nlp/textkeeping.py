"""Docs that remember their input text.

``Doc.text`` rebuilds the text from its tokens, which costs more than tokenizing it; the
pipeline's tokenizer keeps the input in ``doc.user_data`` instead.
"""

from __future__ import annotations

from spacy.tokens import Doc

TEXT_KEY = "wb_text"


def doc_text(doc: Doc) -> str:
    """The text a doc was made from, without rebuilding it token by token (that is slow)."""
    text = doc.user_data.get(TEXT_KEY)
    return text if text is not None else doc.text


class TextKeepingTokenizer:
    """Wraps the tokenizer so that each doc remembers its input text (see :func:`doc_text`)."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        doc.user_data[TEXT_KEY] = text
        return doc

    def __getattr__(self, name: str):
        return getattr(self.tokenizer, name)
