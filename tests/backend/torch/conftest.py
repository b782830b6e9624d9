"""tests/backend/torch/ holds torch-specific tests: under another backend they are not collected."""

import lamina

collect_ignore_glob = [] if lamina.backend.backend() == "torch" else ["test_*.py"]
