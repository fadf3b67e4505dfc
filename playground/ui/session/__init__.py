"""The training session: what runs a Trainer off the GUI thread, feeds the mailbox the GUI drains,
writes the run folder (autosave), and keeps the GUI's share of a core in budget (pacing)."""
