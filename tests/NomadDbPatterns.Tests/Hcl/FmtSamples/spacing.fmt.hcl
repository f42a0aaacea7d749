locals {
  a     = 1
  list  = ["a", "b"]
  call  = max(1, 2)
  neg   = -1
  sub   = 3 - 1
  not   = !true
  cond  = a ? "x" : "y"
  path  = a.b
  idx   = list[0]
  obj   = { x = 1 }
  empty = {}
  ws_eq = a == b
  tuple = [for v in list : upper(v)]
}
