"""Cluster rules: eksctl nodegroups, Karpenter NodePools, the instance catalog, and
the joins between workloads and the node pools they can land on."""
