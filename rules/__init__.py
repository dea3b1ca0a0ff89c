"""gpulint's rule packs, one module per domain.

Each module registers its rules with ``gpulint.rule.register`` when imported;
``gpulint.rule.RULE_MODULES`` lists the modules the engine imports.
"""
