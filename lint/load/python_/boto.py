"""boto3 client calls whose keyword arguments are an AWS request.

A call is read when its method is one gpulint checks and its receiver is a client of the
service that has that method: a name or attribute bound to ``boto3.client("sagemaker")``,
``session.client("application-autoscaling")``, ``boto3.Session().client(...)`` (``service_name=``
too). On a receiver whose service is unknown (a parameter, a helper's return value), a method
only that service has is read too (``put_scaling_policy``, ``create_endpoint_config``); a name
other services share (``create_model``, ``create_endpoint``) is not. A call with positional
arguments, or with a keyword that is not PascalCase, is no boto3 call (boto3 takes the API's
members as keywords only), and one whose ``**kwargs`` cannot be
read (anything but a dict literal, or a name bound once to one) is not read at all: members
it may add would be missing, and rules would report them missing.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from gpulint.load.python_.scope import Scope, dotted_name

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.load.python_.reader import Built, Context

#: service -> the methods read, and the methods no other boto3 service has
METHODS: dict[str, frozenset[str]] = {
    "sagemaker": frozenset({"create_endpoint_config", "create_endpoint", "create_model", "create_training_job",
                            "create_transform_job", "create_inference_component"}),
    "application-autoscaling": frozenset({"register_scalable_target", "put_scaling_policy"}),
}
UNAMBIGUOUS = frozenset({"create_endpoint_config", "create_training_job", "create_transform_job",
                         "create_inference_component", "register_scalable_target", "put_scaling_policy"})
SERVICE_OF = {m: service for service, methods in METHODS.items() for m in methods}
#: a receiver known to be something else than a client of the method's service
OTHER = "other"


def read_call(ctx: Context, call: ast.Call, scope: Scope) -> list[Built]:
    from gpulint.load.python_.reader import Built

    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in SERVICE_OF or call.args:
        return []
    if any(kw.arg is not None and not kw.arg[:1].isupper() for kw in call.keywords):
        return []  # boto3 members are PascalCase: a wrapper's own method (docker, moto, the SDK's Session)
    service = receiver_service(ctx, func.value, scope)
    if service != SERVICE_OF[func.attr] and not (service is None and func.attr in UNAMBIGUOUS):
        return []
    built = Built(call, "python", f"{func.attr} call")
    for kw in call.keywords:
        if kw.arg is not None:
            continue
        splat, _ = ctx.values.deref(kw.value, scope)
        if not isinstance(splat, ast.Dict) or any(k is None for k in splat.keys):
            return []  # **kwargs that cannot be read
    for kw in call.keywords:
        if kw.arg is None:
            value = ctx.values.read(kw.value, scope, ("**",), {}, False)
            if not isinstance(value, dict):
                return []
            splat, _ = ctx.values.deref(kw.value, scope)
            for key, node in zip(splat.keys, splat.values):  # type: ignore[union-attr]
                name, _ = ctx.values.deref(key, scope)  # a str constant, or read() said otherwise
                ctx.put(built, (name.value,), node, scope)  # type: ignore[attr-defined]
        else:
            ctx.put(built, (kw.arg,), kw.value, scope)
    return [built]


def receiver_service(ctx: Context, node: ast.expr, scope: Scope) -> Optional[str]:
    """The AWS service of the client ``node`` is; None when unknown, :data:`OTHER` when it is
    known to be no client of the services read."""
    if isinstance(node, ast.Attribute):
        dotted = dotted_name(node)
        values = ctx.module.attributes.get(dotted or "", [])
        services = {_client_service(ctx, v, scope) for v in values}
        return services.pop() if len(services) == 1 else None
    target, _ = ctx.values.deref(node, scope)
    if isinstance(target, ast.Name):
        return None
    return _client_service(ctx, target, scope)


def _client_service(ctx: Context, node: ast.expr, scope: Scope) -> Optional[str]:
    """``x.client("sagemaker")`` -> "sagemaker"; another service -> OTHER; else None."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "client"):
        return None
    arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "service_name"), None)
    if arg is None:
        return None
    name = ctx.values.string(arg, scope)
    if name is None or "${" in name:
        return None
    return name if name in METHODS else OTHER
