"""Start programs (plain `git`, `ssh-keygen`) and quote words for a POSIX shell.

Standard library only: the push hook runs through here.
"""
