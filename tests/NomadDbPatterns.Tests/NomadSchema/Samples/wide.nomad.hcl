# A job that uses many of the blocks and attributes Nomad v1.10 accepts, written from Nomad's jobspec documentation.
# The schema must accept all of it: it guards the schema against being stricter than Nomad.
job "wide" {
  region      = "global"
  namespace   = "default"
  type        = "batch"
  priority    = 50
  datacenters = ["dc1", "dc2"]
  node_pool   = "default"
  all_at_once = false

  meta {
    owner = "team-a"
  }

  constraint {
    attribute = "${attr.kernel.name}"
    value     = "linux"
  }

  constraint {
    distinct_hosts = true
  }

  constraint {
    attribute = "${meta.rack}"
    operator  = "set_contains_any"
    value     = "r1,r2"
  }

  affinity {
    attribute = "${node.datacenter}"
    value     = "dc1"
    weight    = 50
  }

  spread {
    attribute = "${node.datacenter}"
    weight    = 100

    target "dc1" {
      percent = 60
    }

    target "dc2" {
      percent = 40
    }
  }

  update {
    max_parallel      = 1
    health_check      = "checks"
    min_healthy_time  = "10s"
    healthy_deadline  = "5m"
    progress_deadline = "10m"
    auto_revert       = true
    auto_promote      = false
    canary            = 0
    stagger           = "30s"
  }

  periodic {
    crons            = ["0 3 * * *"]
    prohibit_overlap = true
    time_zone        = "Europe/Berlin"
  }

  reschedule {
    attempts       = 3
    interval       = "1h"
    delay          = "30s"
    delay_function = "exponential"
    max_delay      = "10m"
    unlimited      = false
  }

  group "worker" {
    count          = 2
    shutdown_delay = "5s"

    meta = {
      "team.name" = "a"
    }

    restart {
      attempts         = 2
      interval         = "30m"
      delay            = "15s"
      mode             = "fail"
      render_templates = true
    }

    disconnect {
      lost_after = "1h"
      replace    = true
      reconcile  = "best_score"
    }

    ephemeral_disk {
      size    = 300
      sticky  = true
      migrate = true
    }

    migrate {
      max_parallel     = 1
      health_check     = "checks"
      min_healthy_time = "10s"
      healthy_deadline = "5m"
    }

    network {
      mode     = "bridge"
      hostname = "worker"

      dns {
        servers  = ["1.1.1.1"]
        searches = ["example.internal"]
        options  = ["ndots:2"]
      }

      port "metrics" {
        static = 9100
        to     = 9100
      }

      port "http" {
        to = 8080
      }
    }

    volume "data" {
      type            = "csi"
      source          = "data-vol"
      read_only       = true
      access_mode     = "single-node-reader-only"
      attachment_mode = "file-system"
      per_alloc       = true

      mount_options {
        fs_type     = "ext4"
        mount_flags = ["noatime"]
      }
    }

    volume "scratch" {
      type   = "host"
      source = "scratch"
    }

    consul {
      namespace = "default"
    }

    service {
      name         = "worker-metrics"
      port         = "metrics"
      provider     = "consul"
      tags         = ["metrics"]
      canary_tags  = ["canary"]
      address_mode = "alloc"
      on_update    = "require_healthy"

      meta {
        scrape = "true"
      }

      check {
        name     = "alive"
        type     = "http"
        path     = "/metrics"
        method   = "GET"
        interval = "10s"
        timeout  = "2s"

        header {
          Authorization = ["Bearer token"]
        }

        check_restart {
          limit           = 3
          grace           = "30s"
          ignore_warnings = false
        }
      }

      check {
        type     = "script"
        command  = "/bin/check"
        args     = ["-q"]
        task     = "work"
        interval = "30s"
        timeout  = "5s"
      }
    }

    service {
      name = "mesh"
      port = "http"

      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "db"
              local_bind_port  = 5432
            }
          }
        }
      }
    }

    scaling {
      enabled = true
      min     = 1
      max     = 5

      policy {
        cooldown = "1m"

        check "cpu" {
          source = "nomad-apm"
          query  = "avg_cpu"
        }
      }
    }

    task "work" {
      driver       = "docker"
      user         = "nobody"
      kill_timeout = "20s"
      kill_signal  = "SIGTERM"
      leader       = true

      env = {
        "APP.MODE" = "batch"
      }

      meta {
        role = "worker"
      }

      config {
        image        = "alpine:3.20"
        entrypoint   = ["/bin/sh"]
        args         = ["-c", "echo hi"]
        work_dir     = "/work"
        shm_size     = 67108864
        network_mode = "bridge"
        ports        = ["metrics", "http"]
        volumes      = ["local/cfg:/etc/cfg"]
        force_pull   = false
        cap_add      = ["net_raw"]

        labels {
          app = "work"
        }

        auth {
          username = "user"
          password = "secret"
        }

        logging {
          type = "json-file"

          config {
            max-size = "10m"
          }
        }

        mount {
          type     = "bind"
          source   = "local/x"
          target   = "/x"
          readonly = true

          bind_options {
            propagation = "rshared"
          }
        }

        ulimit {
          nofile = "4096:8192"
        }
      }

      artifact {
        source      = "https://example.invalid/tool.tgz"
        destination = "local/tool"
        mode        = "any"

        options {
          checksum = "sha256:0000"
        }
      }

      template {
        source               = "local/app.tpl"
        destination          = "local/app.conf"
        change_mode          = "script"
        splay                = "5s"
        perms                = "0640"
        uid                  = 1000
        gid                  = 1000
        left_delimiter       = "[["
        right_delimiter      = "]]"
        error_on_missing_key = true

        change_script {
          command       = "/local/reload.sh"
          args          = ["-v"]
          timeout       = "10s"
          fail_on_error = true
        }

        wait {
          min = "2s"
          max = "10s"
        }
      }

      vault {
        role          = "worker"
        change_mode   = "signal"
        change_signal = "SIGHUP"
      }

      identity {
        name = "vault_default"
        aud  = ["vault.io"]
        ttl  = "1h"
        file = true
        env  = false
      }

      logs {
        max_files     = 5
        max_file_size = 10
      }

      volume_mount {
        volume           = "data"
        destination      = "/data"
        read_only        = true
        propagation_mode = "private"
      }

      resources {
        cpu        = 500
        memory     = 256
        memory_max = 512

        device "nvidia/gpu" {
          count = 1

          constraint {
            attribute = "${device.attr.memory}"
            operator  = ">="
            value     = "2 GiB"
          }
        }
      }

      restart {
        attempts = 1
      }

      scaling "cpu" {
        enabled = true
        max     = 1000

        policy {
          cooldown = "5m"
        }
      }

      action "hello" {
        command = "/bin/echo"
        args    = ["hi"]
      }
    }

    task "helper" {
      driver = "exec"

      lifecycle {
        hook    = "prestart"
        sidecar = false
      }

      config {
        command = "/bin/true"
        args    = []
      }

      resources {
        cpu    = 10
        memory = 16
      }
    }

    task "raw" {
      driver = "raw_exec"

      config {
        command = "/bin/true"
      }
    }
  }
}
