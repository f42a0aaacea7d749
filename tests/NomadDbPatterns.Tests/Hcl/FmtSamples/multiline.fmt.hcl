job "multiline" {
  group "g" {
    task "t" {
      config {
        image = "busybox:1.36"
        args = [
          "-c",
          "echo hi",
        ]
        command = "sh"
        ports   = ["http", "db"]
        labels = {
          "a"           = "1"
          "much_longer" = "2"
          nested = {
            x  = 1
            yy = 2
          }
        }
        mounts = [
          {
            type   = "bind"
            target = "/x"
          },
        ]
        x = 1
      }
    }
  }
}
