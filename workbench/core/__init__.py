"""The domain layer: no textual, click, rich, spacy, networkx or sklearn imports here."""
