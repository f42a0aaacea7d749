# Header comment.
# Second header line.

job "comments" {
  # A comment before a block.
  group "g" {
    count        = 1 # trailing comment
    max_parallel = 2 # another one
    # A comment line ends the alignment group.
    a    = 1
    bbbb = 2
    // A slash comment before a block.
    task "t" {
      driver = "docker" /* inline */
    }
  }
}
