# The module's inputs. gpulint reads a variable's default (and treats the variable as unknown
# when a .tfvars file next to the module may set it).

variable "execution_role_arn" {
  type        = string
  description = "The IAM role SageMaker runs the model with."
}

variable "max_instances" {
  type    = number
  default = 4
}
