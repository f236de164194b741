"""The evaluation folder and what configures it: perfeval.toml (settings and their schema),
frameworks (指标体系), the roster (项目清单), and the workspace that opens them together."""
