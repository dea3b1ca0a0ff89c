"""gpulint's rule packs, one module per domain.

Each module registers its rules with ``gpulint.engine.rule.register`` when imported;
``gpulint.engine.rule.RULE_MODULES`` lists the modules the engine imports.
"""
