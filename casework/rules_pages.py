"""Issue 15, item 3: the "why?" links (core.templatetags.rules) open the rule explained, read from docs/rules.md,
the same text the developers keep beside the code. Shown: the rule's heading and what it means in the product;
left out: the lines about where its code and tests live."""

import functools
import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.templatetags.rule_links import rule_ids

RULES_MD = Path(settings.BASE_DIR) / "docs" / "rules.md"
_HEADING = re.compile(r"^### ([A-Z]\d{1,2}) — (.+)$")
#: Developer lines of an entry (where the code and tests are), left out of the page.
_FOR_DEVELOPERS = re.compile(r"^- (Code|Tests|R1 keeps holding|Activation)\b|`tests/|`[a-z_]+/[a-z_]+\.py`")


@functools.cache
def rule_sections() -> dict[str, dict]:
    """{"R1": {"id", "title", "html"}} for each `### R1 — title` entry of docs/rules.md, in its order."""
    sections: dict[str, dict] = {}
    current: list[str] | None = None
    for line in RULES_MD.read_text(encoding="utf-8").splitlines():
        heading = _HEADING.match(line)
        if heading:
            current = []
            sections[heading.group(1)] = {"id": heading.group(1), "title": heading.group(2), "lines": current}
        elif line.startswith("#") or line.startswith("---"):
            current = None
        elif current is not None:
            current.append(line)
    for section in sections.values():
        section["html"] = _render(section.pop("lines"))
    return sections


def _inline(text: str) -> str:
    html = escape(text)
    html = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", html)  # links to other docs: their words only
    html = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html)
    html = re.sub(r"(?<!\w)\*(.+?)\*(?!\w)", r"<em>\1</em>", html)
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html)


def _render(lines: list[str]) -> SafeString:
    """The small part of Markdown the entries use: paragraphs, "- " items (with their continuation lines), emphasis
    and code. Everything is escaped first."""
    blocks: list[tuple[str, list[str]]] = []
    for line in lines:
        if not line.strip():
            blocks.append(("gap", []))
        elif line.startswith("- "):
            blocks.append(("item", [line]))
        elif blocks and blocks[-1][0] in ("item", "para"):
            blocks[-1][1].append(line.strip())
        else:
            blocks.append(("para", [line.strip()]))
    out: list[str] = []
    in_list = False
    for kind, text_lines in blocks:
        text = " ".join(text_lines)
        if kind == "item" and _FOR_DEVELOPERS.search(text):
            continue
        if kind == "item":
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{_inline(text[2:])}</li>")
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        if kind == "para":
            out.append(f"<p>{_inline(text)}</p>")
    if in_list:
        out.append("</ul>")
    return mark_safe("\n".join(out))  # nosec B308 B703: every piece of text went through escape() in _inline


@login_required
def rule(request, ids: str):
    sections = rule_sections()
    wanted = [sections[i] for i in rule_ids(ids) if i in sections]
    if not wanted:
        raise Http404("No such rule")
    return render(request, "casework/rule.html", {"rules": wanted, "all_rules": sections.values()})
