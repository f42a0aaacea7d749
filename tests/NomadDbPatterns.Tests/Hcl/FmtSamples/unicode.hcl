locals {
  names = {
    "é" = 1
    "é" = 2
    "́x" = 3
    "$́" = 4
    "日本語" = 5
    "👩‍💻" = 6
    "a$b" = 7
    "$${x}" = 8
    "%%{y}" = 9
    "tab\t" = 10
    plain = 11
  }
  tail = "naïve"
}
