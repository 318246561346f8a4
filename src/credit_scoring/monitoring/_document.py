"""A small document model rendered twice: Markdown (for review in a repository) and a self-contained, accessible HTML
page (``lang`` attribute, one ``h1``, tables with a caption and column headers, no script, no external resource).

Markdown tables have no caption, so a document is built from blocks rather than converted from Markdown: each table
keeps its caption in both outputs. Inline Markdown in text (``**bold**``, ``code``, links) is rendered by
markdown-it-py with raw HTML disabled, so text from the data is always escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

__all__ = ["Document"]

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: #1a1a1a; background: #fff;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
table { border-collapse: collapse; margin: 1rem 0 1.5rem; }
caption { text-align: left; font-weight: 600; padding-bottom: .3rem; }
th, td { border: 1px solid #767676; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { background: #f0f0f0; padding: 0 .2rem; }
"""


@dataclass
class _Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Document:
    """Blocks in reading order: headings, paragraphs, bullet lists and captioned tables."""

    title: str
    lang: str = "en"
    blocks: list[tuple[str, object]] = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> None:
        self.blocks.append((f"h{min(max(level, 2), 4)}", text))

    def paragraph(self, text: str) -> None:
        self.blocks.append(("p", text))

    def bullets(self, items: Sequence[str]) -> None:
        self.blocks.append(("ul", list(items)))

    def table(self, caption: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        self.blocks.append(("table", _Table(caption, list(headers), [[_cell(v) for v in row] for row in rows])))

    # --- rendering ----------------------------------------------------------------------------------------------------
    def markdown(self) -> str:
        out = [f"# {self.title}", ""]
        for kind, value in self.blocks:
            if kind.startswith("h"):
                out += ["#" * int(kind[1]) + f" {value}", ""]
            elif kind == "p":
                out += [str(value), ""]
            elif kind == "ul":
                out += [f"- {item}" for item in _strings(value)] + [""]
            elif isinstance(value, _Table):
                out += [f"Table: {value.caption}", ""]
                out.append("| " + " | ".join(_md_cell(h) for h in value.headers) + " |")
                out.append("|" + "|".join("---" for _ in value.headers) + "|")
                out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in value.rows]
                out.append("")
        return "\n".join(out).rstrip() + "\n"

    def html(self) -> str:
        md = MarkdownIt("commonmark", {"html": False})  # raw HTML in data (labels, descriptions) is escaped
        body = [f"<h1>{html.escape(self.title)}</h1>"]
        for kind, value in self.blocks:
            if kind.startswith("h"):
                body.append(f"<{kind}>{md.renderInline(str(value))}</{kind}>")
            elif kind == "p":
                body.append(f"<p>{md.renderInline(str(value))}</p>")
            elif kind == "ul":
                items = "".join(f"<li>{md.renderInline(item)}</li>" for item in _strings(value))
                body.append(f"<ul>{items}</ul>")
            elif isinstance(value, _Table):
                head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in value.headers)
                rows = []
                for row in value.rows:
                    cells = [f'<th scope="row">{md.renderInline(row[0])}</th>'] if row else []
                    cells += [
                        f'<td class="num">{html.escape(c)}</td>' if _numeric(c) else f"<td>{md.renderInline(c)}</td>"
                        for c in row[1:]
                    ]
                    rows.append(f"<tr>{''.join(cells)}</tr>")
                body.append(
                    f"<table><caption>{html.escape(value.caption)}</caption><thead><tr>{head}</tr></thead>"
                    f"<tbody>{''.join(rows)}</tbody></table>"
                )
        return (
            f'<!DOCTYPE html>\n<html lang="{html.escape(self.lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(self.title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(body)
            + "\n</main>\n</body>\n</html>\n"
        )


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _numeric(text: str) -> bool:
    try:
        float(text.replace(",", "").rstrip("%"))
    except ValueError:
        return False
    return True
