"""Positions on demand: LibCST's ``PositionProvider`` codegen, run only for the statements we record in.

``PositionProvider`` prints the whole module once to position every node; most top-level statements of
a module yield no record at all. This produces the very same ranges (same codegen state class), but
one top-level statement at a time, when the visitor first asks for a position inside it. A statement's
first line comes from ``starts`` (see :func:`celery2arq.scan.prune.statement_starts`); without it,
the whole module is positioned at the first request, exactly as ``PositionProvider`` does.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import CodeRange
from libcst.metadata.position_provider import PositionProvidingCodegenState


class _Sink:
    """What the codegen state writes into (it only uses ``_computed``)."""

    def __init__(self) -> None:
        self._computed: dict[cst.CSTNode, CodeRange] = {}


class LazyPositions:
    def __init__(self, module: cst.Module, starts: list[int] | None) -> None:
        self.module = module
        self.sink = _Sink()
        usable = starts is not None and len(starts) == len(module.body)
        self.starts = (
            {id(s): line for s, line in zip(module.body, starts or [], strict=False)} if usable else None
        )
        self.done: set[int] = set()
        self.whole = False

    def _state(self, line: int) -> PositionProvidingCodegenState:
        state = PositionProvidingCodegenState(
            default_indent=self.module.default_indent,
            default_newline=self.module.default_newline,
            provider=self.sink,  # type: ignore[arg-type]
        )
        state.line = line
        return state

    def _position_statement(self, statement: cst.CSTNode) -> None:
        assert self.starts is not None
        self.done.add(id(statement))
        statement._codegen(self._state(self.starts[id(statement)]))

    def _position_all(self) -> None:
        self.whole = True
        self.module._codegen(self._state(1))

    def get(self, node: cst.CSTNode, top: cst.CSTNode | None) -> CodeRange:
        found = self.sink._computed.get(node)
        if found is not None:
            return found
        if (
            self.starts is not None
            and top is not None
            and id(top) in self.starts
            and id(top) not in self.done
        ):
            self._position_statement(top)
            found = self.sink._computed.get(node)
            if found is not None:
                return found
        if not self.whole:
            self._position_all()  # a node outside the current statement (a constant defined earlier)
        return self.sink._computed[node]
