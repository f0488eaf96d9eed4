"""A tiny document model rendered twice: Markdown (for the repository) and self-contained HTML
(inline CSS, no scripts, no external resources; works offline).

A page is a list of blocks: :class:`Heading`, :class:`Text`, :class:`Table` (also written as CSV
next to the page), :class:`Figure` (a PNG with a one-line caption), :class:`Links` and
:class:`Details` (blocks folded under a one-line summary: ``<details>`` in both formats).

Tables print one number format per column (:func:`workbench.table.format_column`). In HTML every table
sits in its own scrolling box (``div.table-wrap``: at most 80 % of the window tall, scrolling both
ways), so a wide table never hides a column and its header row and first column stay in view while
it scrolls (``position: sticky`` works inside the box that scrolls; a ``display: block`` table with
``overflow-x`` of its own, the old layout, broke it).
"""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workbench.output import OutputFolder
from workbench.table import format_rows

__all__ = ["Details", "Figure", "Heading", "Links", "Page", "Table", "Text", "anchor"]


@dataclasses.dataclass
class Heading:
    text: str
    level: int = 2


@dataclasses.dataclass
class Text:
    """A paragraph. Inline Markdown allowed: **bold**, `code`, [link](target). ``note=True`` sets it
    apart (a boxed paragraph in HTML, a quote in Markdown): for what a reader must know first."""

    text: str
    note: bool = False


@dataclasses.dataclass
class Table:
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    csv: str  # path of the CSV file, relative to the report folder
    caption: str = ""
    digits: int = 3
    #: An optional header row above the headers in HTML: (label, number of columns spanned).
    groups: Sequence[tuple[str, int]] | None = None
    #: Optional shorter headers for HTML under ``groups`` (Markdown and CSV keep ``headers``).
    labels: Sequence[str] | None = None


@dataclasses.dataclass
class Figure:
    path: str  # relative to the report folder
    caption: str
    alt: str = ""


@dataclasses.dataclass
class Links:
    items: Sequence[tuple[str, str]]  # (label, target without extension: .md / .html added per format)
    inline: bool = False


@dataclasses.dataclass
class Details:
    """Blocks folded under a one-line summary (``<details>``), e.g. a long list of runs."""

    summary: str
    blocks: Sequence[Any]


def _flatten(blocks: Sequence[Any]) -> list[Any]:
    out: list[Any] = []
    for block in blocks:
        out += [block, *_flatten(block.blocks)] if isinstance(block, Details) else [block]
    return out


@dataclasses.dataclass
class Page:
    path: str  # relative path without extension, e.g. "problems/hs071"
    title: str
    blocks: list[Any] = dataclasses.field(default_factory=list)
    language: str = "en"  # the HTML page's lang attribute

    def add(self, *blocks: Any) -> Page:
        self.blocks.extend(blocks)
        return self

    # -- writing ---------------------------------------------------------------------------------
    def outputs(self) -> dict[str, str]:
        """Every file this page consists of, ``{path relative to the report folder: text}``: the
        CSV of each table, then page.md and page.html."""
        files: dict[str, str] = {}
        for block in _flatten(self.blocks):
            if isinstance(block, Table):
                buffer = io.StringIO()
                writer = csv.writer(buffer)
                writer.writerow(block.headers)
                for row in block.rows:
                    writer.writerow(["" if v is None else v for v in row])
                files[block.csv] = buffer.getvalue()
        files[f"{self.path}.md"] = self.markdown()
        files[f"{self.path}.html"] = self.html()
        return files

    def write(self, folder: OutputFolder) -> list[Path]:
        """Write every file of :meth:`outputs` into ``folder``; return the paths written."""
        return [folder.write_text(relative, text) for relative, text in self.outputs().items()]

    def _relative(self, target: str) -> str:
        """A path relative to this page's folder."""
        depth = self.path.count("/")
        return "../" * depth + target

    def markdown(self) -> str:
        out = [f"# {self.title}", ""] + self._markdown_blocks(self.blocks)
        return "\n".join(out).rstrip() + "\n"

    def _markdown_blocks(self, blocks: Sequence[Any]) -> list[str]:
        out: list[str] = []
        for block in blocks:
            if isinstance(block, Heading):
                out += ["#" * block.level + " " + block.text, ""]
            elif isinstance(block, Text):
                out += [("> " if block.note else "") + block.text, ""]
            elif isinstance(block, Table):
                if block.caption:
                    out += [block.caption, ""]
                out.append("| " + " | ".join(str(h).replace("|", "\\|") for h in block.headers) + " |")
                out.append("|" + "|".join("---" for _ in block.headers) + "|")
                for cells in format_rows(block.rows, block.digits):
                    out.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
                out += ["", f"[CSV]({self._relative(block.csv)})", ""]
            elif isinstance(block, Figure):
                out += [f"![{block.alt or block.caption}]({self._relative(block.path)})", "", f"*{block.caption}*", ""]
            elif isinstance(block, Links):
                items = [f"[{label}]({self._relative(target)}.md)" for label, target in block.items]
                out += ([" · ".join(items)] if block.inline else [f"- {item}" for item in items]) + [""]
            elif isinstance(block, Details):
                # GitHub renders Markdown inside <details> when blank lines surround it
                out += [f"<details><summary>{html.escape(block.summary)}</summary>", ""]
                out += self._markdown_blocks(block.blocks) + ["</details>", ""]
        return out

    def html(self) -> str:
        body = "\n".join(self._html_blocks(self.blocks))
        return _HTML.format(title=html.escape(self.title), body=body, language=self.language)

    def _html_table(self, block: Table) -> str:
        labels = block.labels if block.labels is not None else block.headers
        head = ""
        if block.groups:
            head += '<tr class="groups">' + "".join(
                f'<th colspan="{span}" scope="colgroup">{html.escape(label)}</th>' for label, span in block.groups
            ) + "</tr>"
        head += "<tr>" + "".join(
            f'<th scope="col" title="{html.escape(str(full))}">{html.escape(str(label))}</th>'
            for label, full in zip(labels, block.headers, strict=True)
        ) + "</tr>"
        rows = []
        for values, cells in zip(block.rows, format_rows(block.rows, block.digits), strict=True):
            out = []
            for value, text in zip(values, cells, strict=True):
                numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
                kind = "num" if numeric else ("long" if isinstance(value, str) and len(value) > 40 else "")
                attribute = f' class="{kind}"' if kind else ""
                out.append(f"<td{attribute}>{html.escape(text)}</td>")
            rows.append("<tr>" + "".join(out) + "</tr>")
        return (f'<div class="table-wrap"><table><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table></div>'
                f'\n<p class="csv"><a href="{self._relative(block.csv)}">CSV</a></p>')  # fmt: skip

    def _html_blocks(self, blocks: Sequence[Any]) -> list[str]:
        body = []
        for block in blocks:
            if isinstance(block, Heading):
                body.append(f'<h{block.level} id="{anchor(block.text)}">{_inline(block.text)}</h{block.level}>')
            elif isinstance(block, Text):
                opening = '<p class="note">' if block.note else "<p>"
                body.append(f"{opening}{_inline(block.text, self)}</p>")
            elif isinstance(block, Table):
                if block.caption:
                    body.append(f'<p class="caption">{_inline(block.caption, self)}</p>')
                body.append(self._html_table(block))
            elif isinstance(block, Figure):
                source = html.escape(self._relative(block.path))
                alt = html.escape(block.alt or block.caption)
                body.append(
                    f'<figure><a href="{source}"><img src="{source}" alt="{alt}"></a>'
                    f"<figcaption>{_inline(block.caption, self)}</figcaption></figure>"
                )
            elif isinstance(block, Links):
                items = [f'<a href="{html.escape(self._relative(t))}.html">{html.escape(label)}</a>'
                         for label, t in block.items]  # fmt: skip
                if block.inline:
                    body.append('<p class="links">' + " · ".join(items) + "</p>")
                else:
                    body.append("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
            elif isinstance(block, Details):
                body.append(f"<details><summary>{_inline(block.summary, self)}</summary>")
                body += self._html_blocks(block.blocks)
                body.append("</details>")
        return body


def anchor(text: str) -> str:
    """The id of a heading: its letters and digits (any script) in lower case, runs of anything else
    one hyphen; the anchor GitHub gives a Markdown heading of words, digits and simple punctuation."""
    return re.sub(r"[\W_]+", "-", text.lower()).strip("-")


def _inline(text: str, page: Page | None = None) -> str:
    """Escape, then render **bold**, `code` and [label](target) (.md targets become .html)."""
    text = html.escape(text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"`(.+?)`", r"<code>\1</code>", text)
    # emphasis only for *words* set off from letters: f* and x* stay asterisks
    text = re.sub(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"<em>\1</em>", text)

    def link(match: re.Match[str]) -> str:
        target = match.group(2)
        if target.endswith(".md"):
            target = target[:-3] + ".html"
        return f'<a href="{target}">{match.group(1)}</a>'

    return re.sub(r"\[(.+?)\]\((.+?)\)", link, text)


_HTML = """<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 96rem; margin: 1.5rem auto;
       padding: 0 1rem; color: #1d2330; line-height: 1.45; }}
p, ul, figcaption, details > summary {{ max-width: 64rem; }}
h1 {{ border-bottom: 2px solid #d0d7e2; padding-bottom: .3rem; }}
h2 {{ margin-top: 2.2rem; border-bottom: 1px solid #e3e8ef; }}
p.note {{ background: #fff8e1; border-left: 4px solid #e0a800; padding: .5rem .8rem; }}
p.links {{ font-size: .95rem; }}
div.table-wrap {{ overflow: auto; max-height: 80vh; max-width: 100%; width: max-content; margin: .6rem 0;
                 border: 1px solid #d8dee8; }}
table {{ border-collapse: separate; border-spacing: 0; font-size: .86rem; }}
th, td {{ border-right: 1px solid #d8dee8; border-bottom: 1px solid #d8dee8; padding: .25rem .5rem; }}
td {{ white-space: nowrap; background: #fff; }}
td.long {{ white-space: normal; min-width: 18rem; max-width: 32rem; }}
th {{ background: #eef2f8; vertical-align: bottom; text-align: left; max-width: 9rem; }}
thead th {{ position: sticky; top: 0; z-index: 2; }}
thead tr.groups th {{ text-align: center; height: 1.3rem; }}
thead tr.groups + tr th {{ top: 1.85rem; }}
tbody td:first-child {{ position: sticky; left: 0; z-index: 1; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
tr:nth-child(even) td {{ background: #f7f9fc; }}
details {{ margin: .8rem 0; }}
details > summary {{ cursor: pointer; font-weight: 600; }}
figure {{ margin: 1rem 0; }}
figure img {{ max-width: 100%; border: 1px solid #e3e8ef; }}
figcaption {{ font-size: .9rem; color: #4a5568; }}
code {{ background: #f1f4f9; padding: 0 .2rem; border-radius: 3px; }}
p.csv {{ font-size: .8rem; margin-top: -.3rem; }}
</style>
</head>
<body>
<h1>{title}</h1>
{body}
</body>
</html>
"""
