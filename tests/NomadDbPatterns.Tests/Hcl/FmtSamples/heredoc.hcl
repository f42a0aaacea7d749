job "heredoc" {
  group "g" {
    task "t" {
      template {
        destination = "local/a.sh"
        data = <<-EOH
        #!/bin/sh
          echo "indented"   
      echo less indented
        EOH
        change_mode = "restart"
        perms = "0755"
      }
      template {
        data = <<EOT
not flush
   keeps its spaces
  EOT
        destination="local/b"
      }
      env {
        A = "1"
        LONGER_NAME = <<-EOH
          x
          EOH
        B = "2"

        C = "3"
      }
    }
  }
}
