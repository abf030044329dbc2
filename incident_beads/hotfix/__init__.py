"""Phase 4: the hotfix protocol in the repository (branch, fix, review, gates, tag, deploy)."""
