job "nested" {
  constraint { operator = "distinct_hosts" }
  meta {}
  group "g" {
  network {
  mode = "bridge"
  port "http" {
  to = 8080
  }
  }
  volume "data" {
      type      = "host"
    source = "data"
        read_only = false
  }
  }
}
