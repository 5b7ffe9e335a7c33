"""Deployment tools: constraints.txt (freeze_constraints.py) and a replay of the image build
without Docker (check_image_steps.py)."""
