"""A tiny document model rendered twice: Markdown (for the repository) and self-contained HTML
(inline CSS, no scripts, no external resources; works offline).

A page is a list of blocks: :class:`Heading`, :class:`Text`, :class:`Table` (also written as CSV
next to the page), :class:`Figure` (a PNG with a one-line caption) and :class:`Links`.
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
from workbench.table import format_number

__all__ = ["Figure", "Heading", "Links", "Page", "Table", "Text", "anchor"]


@dataclasses.dataclass
class Heading:
    text: str
    level: int = 2


@dataclasses.dataclass
class Text:
    """A paragraph. Inline Markdown allowed: **bold**, `code`, [link](target)."""

    text: str


@dataclasses.dataclass
class Table:
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    csv: str  # path of the CSV file, relative to the report folder
    caption: str = ""
    digits: int = 3


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
        for block in self.blocks:
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
        out = [f"# {self.title}", ""]
        for block in self.blocks:
            if isinstance(block, Heading):
                out += ["#" * block.level + " " + block.text, ""]
            elif isinstance(block, Text):
                out += [block.text, ""]
            elif isinstance(block, Table):
                if block.caption:
                    out += [block.caption, ""]
                out.append("| " + " | ".join(str(h).replace("|", "\\|") for h in block.headers) + " |")
                out.append("|" + "|".join("---" for _ in block.headers) + "|")
                for row in block.rows:
                    cells = [format_number(v, block.digits).replace("|", "\\|") for v in row]
                    out.append("| " + " | ".join(cells) + " |")
                out += ["", f"[CSV]({self._relative(block.csv)})", ""]
            elif isinstance(block, Figure):
                out += [f"![{block.alt or block.caption}]({self._relative(block.path)})", "", f"*{block.caption}*", ""]
            elif isinstance(block, Links):
                items = [f"[{label}]({self._relative(target)}.md)" for label, target in block.items]
                out += ([" · ".join(items)] if block.inline else [f"- {item}" for item in items]) + [""]
        return "\n".join(out).rstrip() + "\n"

    def html(self) -> str:
        body = []
        for block in self.blocks:
            if isinstance(block, Heading):
                body.append(f'<h{block.level} id="{anchor(block.text)}">{_inline(block.text)}</h{block.level}>')
            elif isinstance(block, Text):
                body.append(f"<p>{_inline(block.text, self)}</p>")
            elif isinstance(block, Table):
                if block.caption:
                    body.append(f"<p>{_inline(block.caption, self)}</p>")
                head = "".join(f"<th>{html.escape(str(h))}</th>" for h in block.headers)
                rows = []
                for row in block.rows:
                    cells = []
                    for value in row:
                        text = html.escape(format_number(value, block.digits))
                        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
                        cells.append(f'<td class="num">{text}</td>' if numeric else f"<td>{text}</td>")
                    rows.append("<tr>" + "".join(cells) + "</tr>")
                body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
                body.append(f'<p class="csv"><a href="{self._relative(block.csv)}">CSV</a></p>')
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
                    body.append("<p>" + " · ".join(items) + "</p>")
                else:
                    body.append("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
        return _HTML.format(title=html.escape(self.title), body="\n".join(body), language=self.language)


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
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 72rem; margin: 2rem auto;
       padding: 0 1rem; color: #1d2330; line-height: 1.45; }}
h1 {{ border-bottom: 2px solid #d0d7e2; padding-bottom: .3rem; }}
h2 {{ margin-top: 2.2rem; border-bottom: 1px solid #e3e8ef; }}
table {{ border-collapse: collapse; margin: .6rem 0; font-size: .86rem; display: block; overflow-x: auto; }}
th, td {{ border: 1px solid #d8dee8; padding: .25rem .5rem; white-space: nowrap; }}
th {{ background: #f1f4f9; position: sticky; top: 0; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
tr:nth-child(even) td {{ background: #fafbfd; }}
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
