"""Issue 15, item 3: the "why?" links (core.templatetags.rule_links) open the rule explained, read from docs/rules.md,
the same text the developers keep beside the code. Shown: the rule's heading and what it means in the product;
left out: the lines about where its code and tests live."""

import functools
import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from core.templatetags.rule_links import rule_ids

RULES_MD = Path(settings.BASE_DIR) / "docs" / "rules.md"
_GROUP = re.compile(r"^## (.+?)(?: \([A-Z]\))?$")
_HEADING = re.compile(r"^### ([A-Z]\d{1,2}) — (.+)$")
#: What is written for the developers (where the code and tests are, which issue built it), left out of the page.
_FOR_DEVELOPERS = re.compile(r"\b[Ii]ssue \d+|Code:|Tests:")
_CODE_ASIDE = re.compile(r"\s*\([^()]*`[^()]*\)")
_INTERPRETATION = re.compile(r"\*\*Interpretation\*\*:\s*(.+)$")


@functools.cache
def rule_sections() -> dict[str, dict]:
    """{"R1": {"id", "title", "group", "intro", "paragraphs"}} for each `### R1 — title` entry of docs/rules.md, in its
    order; `group` and `intro` are its `## …` section's title and opening words (e.g. the reduced-visits chain)."""
    sections: dict[str, dict] = {}
    current: list[str] | None = None
    group = {"title": "", "lines": []}
    in_intro = False
    for line in RULES_MD.read_text(encoding="utf-8").splitlines():
        heading, group_heading = _HEADING.match(line), _GROUP.match(line)
        if heading:
            current, in_intro = [], False
            sections[heading.group(1)] = {"id": heading.group(1), "title": heading.group(2), "lines": current,
                                          "group": group}
        elif group_heading:
            current, in_intro = None, True
            group = {"title": group_heading.group(1), "lines": []}
        elif line.startswith(("#", "---")):
            current, in_intro = None, False
        elif current is not None:
            current.append(line)
        elif in_intro:
            group["lines"].append(line)
    for section in sections.values():
        section["paragraphs"] = _render(section.pop("lines"))
        section["intro"] = _render(section["group"]["lines"])
        section["group"] = section["group"]["title"]
    return sections


def _plain(text: str) -> str:
    """Markdown's marks taken out: the template escapes the words."""
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)  # links to other docs: their words only
    return re.sub(r"\*\*(.+?)\*\*|(?<!\w)\*(.+?)\*(?!\w)", lambda m: m.group(1) or m.group(2), text).replace("`", "")


def _render(lines: list[str]) -> list[str]:
    """The entry's prose for the people who use the service, as paragraphs: what the rule means and how the
    policy was read (**Interpretation**); what is written for developers (code, tests, issues, status) is left
    out."""
    blocks: list[tuple[str, list[str]]] = []
    for line in lines:
        if not line.strip():
            blocks.append(("gap", []))
        elif line.startswith("- "):
            blocks.append(("item", [line[2:]]))
        elif blocks and blocks[-1][0] in ("item", "para"):
            blocks[-1][1].append(line.strip())
        else:
            blocks.append(("para", [line.strip()]))
    out: list[str] = []
    for kind, text_lines in blocks:
        text = " ".join(text_lines)
        interpretation = _INTERPRETATION.search(text)
        if interpretation and not _FOR_DEVELOPERS.search(interpretation.group(1)):
            out.append("How the policy is read here: " + _plain(interpretation.group(1)))
        elif kind == "para":
            sentences = re.split(r"(?<=[.:])\s+(?=[A-Z])", _CODE_ASIDE.sub("", text))
            kept = " ".join(s for s in sentences if not _FOR_DEVELOPERS.search(s))
            if kept.strip():
                out.append(_plain(kept))
    return out


@login_required
def rule(request, ids: str):
    sections = rule_sections()
    wanted = [sections[i] for i in rule_ids(ids) if i in sections]
    if not wanted:
        raise Http404("No such rule")
    return render(request, "casework/rule.html", {"rules": wanted, "all_rules": sections.values()})
