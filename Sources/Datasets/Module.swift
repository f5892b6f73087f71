// Module Datasets: training data formats, validation, quality checks, splits, rendering.
