"""Citation templates: ``({label}, {role}, {sector}, cycle {cycle})`` -> ``(P03, ..., cycle 2)``.

A template is text with fields in braces. Separators (", ", "; ", " · ", " | ", " – ", " — ")
cut it into parts, and round or square brackets group parts. A part whose field has no value is
left out together with its own words ("cycle" in "cycle {cycle}"); a bracketed group left
without any value goes with its brackets. So a missing field never leaves ", ," or "( ,"
behind. Write ``{{`` and ``}}`` for literal braces.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Any

from workbench.errors import InvalidInput

DEFAULT_TEMPLATE = "({label}, {role}, {sector}, cycle {cycle})"
SETTING = "citation_template"

FIELDS: dict[str, str] = {
    "label": "the participant's pseudonym or label (P03)",
    "role": "the participant's role (ledende overlæge)",
    "organisation": "the participant's organisation (Hospitalsenheden Vest)",
    "sector": "the participant's sector slug (hospital, municipality, ...)",
    "case": "the document's case, the partnership or site",
    "cycle": "the document's action-research cycle number",
    "document": "the document's name",
    "date": "the document's date (YYYY-MM-DD)",
    "speaker": "the speaker of the turn the quote starts in",
}

_SEPARATOR = re.compile(r", |; | · | \| | – | — ")
_BRACKETS = {"(": ")", "[": "]"}

# A parsed template is a list of items: ("text", str), ("field", name), ("sep", str) or
# ("group", opener, items, closer) for a bracketed stretch.
Item = tuple


def _tokens(template: str) -> list[Item]:
    """Literal text, fields, separators and brackets, in order."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise InvalidInput(f"The citation template {template!r} is malformed ({exc}); "
                           "write fields in braces like {label}.") from exc
    tokens: list[Item] = []
    for literal, field, spec, conversion in parsed:
        last = 0
        for match in re.finditer(r", |; | · | \| | – | — |[()\[\]]", literal):
            if match.start() > last:
                tokens.append(("text", literal[last:match.start()]))
            mark = match.group()
            kind = "sep" if _SEPARATOR.fullmatch(mark) else "bracket"
            tokens.append((kind, mark))
            last = match.end()
        if last < len(literal):
            tokens.append(("text", literal[last:]))
        if field is None:
            continue
        if spec or conversion:
            raise InvalidInput(f"The citation field {{{field}}} has a format; write plain "
                               f"fields like {{{field}}}.")
        if field not in FIELDS:
            raise InvalidInput(f"'{{{field}}}' is not a citation field; use any of: "
                               f"{', '.join('{' + f + '}' for f in FIELDS)}.")
        tokens.append(("field", field))
    return tokens


def _nest(tokens: list[Item], i: int = 0,
          closer: str | None = None) -> tuple[list[Item], int, bool]:
    """Group bracketed stretches; returns items, the next index, and whether ``closer`` came.

    A bracket without its partner stays literal text.
    """
    items: list[Item] = []
    while i < len(tokens):
        kind, value = tokens[i]
        if kind == "bracket" and value == closer:
            return items, i + 1, True
        if kind == "bracket" and value in _BRACKETS:
            inner, j, closed = _nest(tokens, i + 1, _BRACKETS[value])
            if closed:
                items.append(("group", value, inner, _BRACKETS[value]))
                i = j
                continue
        items.append(("text", value) if kind == "bracket" else tokens[i])
        i += 1
    return items, i, False


def parse_template(template: str) -> list[Item]:
    """Parse a template into items, checking its field names.

    Raises:
        InvalidInput: a malformed template or an unknown field.
    """
    items, _, _ = _nest(_tokens(template))
    return items


def _value(values: Mapping[str, Any], field: str) -> str:
    value = values.get(field)
    if value is None:
        return ""
    return " ".join(str(value).split())


def _render_items(items: list[Item], values: Mapping[str, Any]) -> tuple[str, bool]:
    """Render a sequence; returns the text and whether any field has content in it."""
    parts: list[tuple[list[Item], str]] = [([], "")]
    for item in items:
        if item[0] == "sep":
            parts[-1] = (parts[-1][0], item[1])
            parts.append(([], ""))
        else:
            parts[-1][0].append(item)
    kept: list[tuple[str, str]] = []
    any_field = False
    for part_items, separator in parts:
        text, has_fields, has_content, dropped = "", False, False, False
        for item in part_items:
            if item[0] == "text":
                text += item[1]
            elif item[0] == "field":
                has_fields = True
                value = _value(values, item[1])
                if not value:
                    dropped = True
                    break
                has_content = True
                text += value
            else:  # a bracketed group
                inner, inner_content = _render_items(item[2], values)
                has_fields = has_fields or _has_fields(item[2])
                if inner_content:
                    has_content = True
                    text += item[1] + inner + item[3]
        if dropped or (has_fields and not has_content) or not text.strip():
            continue
        any_field = any_field or has_content
        kept.append((text, separator))
    rendered = ""
    for index, (text, separator) in enumerate(kept):
        rendered += text if index == len(kept) - 1 else text.rstrip() + separator
    return rendered, any_field


def _has_fields(items: list[Item]) -> bool:
    return any(i[0] == "field" or (i[0] == "group" and _has_fields(i[2])) for i in items)


def render(template: str | list[Item], values: Mapping[str, Any]) -> str:
    """Fill a template from ``values``; parts with a missing field drop out cleanly.

    Args:
        template: the template text, or items from :func:`parse_template`.
        values: field name -> value; None or "" counts as missing.

    Returns:
        The citation, or "" when no field of the template has a value.
    """
    items = parse_template(template) if isinstance(template, str) else template
    text, any_field = _render_items(items, values)
    if not any_field:
        return ""
    text = " ".join(text.split())
    # A dropped part at the edge of a group leaves a space inside the bracket.
    return re.sub(r" +([)\]])", r"\1", re.sub(r"([(\[]) +", r"\1", text))


def template_for(project_setting: str | None, override: str | None = None) -> str:
    """The template to use: the one given, else the project's setting, else the default."""
    template = override or project_setting or DEFAULT_TEMPLATE
    parse_template(template)
    return template


def describe_fields() -> str:
    """The fields as lines of help text."""
    width = max(len(f) for f in FIELDS) + 2
    return "\n".join(f"  {{{name}}}".ljust(width + 4) + text for name, text in FIELDS.items())
