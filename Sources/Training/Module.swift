// Module Training: fine-tuning methods (LoRA, QLoRA, full), optimizers, schedules, trainer loop, adapters.
