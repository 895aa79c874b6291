"""Every rule's ``fixed_by`` names something ``celery2arq rewrite`` really runs."""

from __future__ import annotations

import importlib

import pytest
from libcst.codemod import CodemodCommand

from celery2arq import rules

STEPS = {"worker_settings"}  # rewrite steps that are not codemods (the generated WorkerSettings)


@pytest.mark.parametrize("rule", list(rules.RULES.values()), ids=lambda r: r.code)
def test_fixed_by_names_a_codemod_module_or_a_rewrite_step(rule):
    if rule.fixed_by is None or rule.fixed_by in STEPS:
        return
    module = importlib.import_module(f"celery2arq_codemods.{rule.fixed_by}")
    commands = [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, CodemodCommand) and obj.__module__ == module.__name__
    ]
    assert commands, f"{rule.code}: celery2arq_codemods.{rule.fixed_by} defines no codemod command"
    assert rule.fixed_by in rules.FIXERS, f"{rule.code}: FIXERS has no page text for {rule.fixed_by}"
