"""An exact, fast renderer for the simple templates drafts almost always use.

Fitting renders a template several times per draft, thousands of drafts per build.
A template made only of text, `{{ name }}` and `{% if [not] name %}…{% elif %}…{% else %}`
is rendered here by walking Jinja's own parse tree, which gives Jinja's output exactly
(Jinja prints a variable with str(), and these tests are plain truthiness). Any other
construct, a filter, a comparison, a loop, makes the template fall back to Jinja.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import Environment, nodes

Renderer = Callable[[Mapping[str, Any]], str]
_Piece = Callable[[Mapping[str, Any], list[str]], None]


class _NotSimple(Exception):
    pass


def _test(node: nodes.Node) -> Callable[[Mapping[str, Any]], bool]:
    if isinstance(node, nodes.Name):
        name = node.name
        return lambda context: bool(context[name])
    if isinstance(node, nodes.Not) and isinstance(node.node, nodes.Name):
        name = node.node.name
        return lambda context: not context[name]
    raise _NotSimple


def _text(data: str) -> _Piece:
    def piece(context: Mapping[str, Any], out: list[str]) -> None:
        out.append(data)

    return piece


def _variable(name: str) -> _Piece:
    def piece(context: Mapping[str, Any], out: list[str]) -> None:
        out.append(str(context[name]))

    return piece


def _pieces(body: list[nodes.Node]) -> list[_Piece]:
    pieces: list[_Piece] = []
    for node in body:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    pieces.append(_text(child.data))
                elif isinstance(child, nodes.Name) and child.ctx == "load":
                    pieces.append(_variable(child.name))
                else:
                    raise _NotSimple
        elif isinstance(node, nodes.If):
            branches = [(_test(node.test), _pieces(node.body))]
            branches += [(_test(elif_.test), _pieces(elif_.body)) for elif_ in node.elif_]
            otherwise = _pieces(node.else_)

            def choose(context: Mapping[str, Any], out: list[str],
                       branches: list[tuple[Callable[[Mapping[str, Any]], bool],
                                            list[_Piece]]] = branches,
                       otherwise: list[_Piece] = otherwise) -> None:
                chosen = next((body for test, body in branches if test(context)), otherwise)
                for piece in chosen:
                    piece(context, out)

            pieces.append(choose)
        else:
            raise _NotSimple
    return pieces


def compile_simple(environment: Environment, source: str) -> Renderer | None:
    """A renderer equal to Jinja's for this source, or None when it is not simple.

    The renderer raises KeyError for a missing variable; callers render with Jinja then,
    for Jinja's own error message.
    """
    try:
        pieces = _pieces(environment.parse(source).body)
    except _NotSimple:
        return None

    def render(context: Mapping[str, Any]) -> str:
        out: list[str] = []
        for piece in pieces:
            piece(context, out)
        return "".join(out)

    return render
