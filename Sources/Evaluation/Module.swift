// Module Evaluation: metrics, warning signs, generation checks, agreement statistics, estimates (no engine dependency).
