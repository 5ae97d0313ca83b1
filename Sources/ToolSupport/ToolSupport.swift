// Conventions shared by the command-line tools: errors and exit codes, atomic outputs, progress.
