"""Kubernetes GPU workload rules: requests and limits, tolerations, probes, autoscalers."""

K8S_GPU_DOC = "https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/"
