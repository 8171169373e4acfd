"""The training pipeline that produces perfopt's bundled model: data, pretrain, SFT, RRHF, export.

Every stage is a runnable module with a config dataclass. Stages reuse perfopt's
own reward model, sandbox and test generation; nothing here is a copy.
"""
