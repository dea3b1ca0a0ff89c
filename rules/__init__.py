"""gpulint's rules, one package per domain and one module per rule.

``rules/<domain>/<rule_name>.py`` holds the rule named ``rule-name`` and registers it
with ``gpulint.engine.rule.register`` when imported. The engine finds the modules by
walking these packages, and imports a domain's rules once its model is loaded
(``gpulint.engine.rule.DOMAIN_MODELS``).
"""
