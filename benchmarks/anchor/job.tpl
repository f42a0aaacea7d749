[[ range .Header ]]# [[ . ]]
[[ end ]][[ if .Header ]]
[[ end ]]job [[ q .Name ]] {
[[- $w := width "datacenters" "type" (and .Namespace "namespace") (and .Region "region") (and .NodePool "node_pool") (and .Priority "priority") ]]
  [[ pad "datacenters" $w ]] = [[ list .Datacenters ]]
  [[ pad "type" $w ]] = [[ q .Type ]]
[[- if .Namespace ]]
  [[ pad "namespace" $w ]] = [[ q .Namespace ]]
[[- end ]]
[[- if .Region ]]
  [[ pad "region" $w ]] = [[ q .Region ]]
[[- end ]]
[[- if .NodePool ]]
  [[ pad "node_pool" $w ]] = [[ q .NodePool ]]
[[- end ]]
[[- if .Priority ]]
  [[ pad "priority" $w ]] = [[ .Priority ]]
[[- end ]]
[[- range .Constraints ]]

  constraint {
[[- $c := width (and .Attribute "attribute") "operator" (and .Value "value") ]]
[[- if .Attribute ]]
    [[ pad "attribute" $c ]] = [[ q .Attribute ]]
[[- end ]]
    [[ pad "operator" $c ]] = [[ q .Operator ]]
[[- if .Value ]]
    [[ pad "value" $c ]] = [[ q .Value ]]
[[- end ]]
  }
[[- end ]]
[[- if .Meta ]]

  meta {
[[- $m := keywidth .Meta ]]
[[- range .Meta ]]
    [[ pad (key .Key) $m ]] = [[ q .Value ]]
[[- end ]]
  }
[[- end ]]
[[- with .Periodic ]]

  periodic {
[[- $p := width "crons" "prohibit_overlap" "time_zone" ]]
    [[ pad "crons" $p ]] = [[ list .Crons ]]
    [[ pad "prohibit_overlap" $p ]] = [[ .ProhibitOverlap ]]
    [[ pad "time_zone" $p ]] = [[ q .TimeZone ]]
  }
[[- end ]]
[[- with .Group ]]

  group [[ q .Name ]] {
[[- $w := width "count" (and .ShutdownDelay "shutdown_delay") ]]
    [[ pad "count" $w ]] = [[ .Count ]]
[[- if .ShutdownDelay ]]
    [[ pad "shutdown_delay" $w ]] = [[ q .ShutdownDelay ]]
[[- end ]]

    network {
      [[ pad "mode" (width "mode") ]] = [[ q .NetworkMode ]]
[[- range .Ports ]]

      port [[ q .Label ]] {
[[- $p := width (and .Static "static") (and .To "to") ]]
[[- if .Static ]]
        [[ pad "static" $p ]] = [[ .Static ]]
[[- end ]]
[[- if .To ]]
        [[ pad "to" $p ]] = [[ .To ]]
[[- end ]]
      }
[[- end ]]
    }
[[- range .Volumes ]]

    volume [[ q .Name ]] {
[[- $v := width "type" "source" "read_only" ]]
      [[ pad "type" $v ]] = [[ q .Type ]]
      [[ pad "source" $v ]] = [[ q .Source ]]
      [[ pad "read_only" $v ]] = [[ .ReadOnly ]]
    }
[[- end ]]
[[- with .Update ]]

    update {
[[- $u := width "max_parallel" "canary" "auto_revert" "min_healthy_time" "healthy_deadline" "progress_deadline" ]]
      [[ pad "max_parallel" $u ]] = [[ .MaxParallel ]]
      [[ pad "canary" $u ]] = [[ .Canary ]]
      [[ pad "auto_revert" $u ]] = [[ .AutoRevert ]]
      [[ pad "min_healthy_time" $u ]] = [[ q .MinHealthyTime ]]
      [[ pad "healthy_deadline" $u ]] = [[ q .HealthyDeadline ]]
      [[ pad "progress_deadline" $u ]] = [[ q .ProgressDeadline ]]
    }
[[- end ]]
[[- with .Restart ]]

    restart {
[[- $r := width "attempts" "interval" "delay" "mode" ]]
      [[ pad "attempts" $r ]] = [[ .Attempts ]]
      [[ pad "interval" $r ]] = [[ q .Interval ]]
      [[ pad "delay" $r ]] = [[ q .Delay ]]
      [[ pad "mode" $r ]] = [[ q .Mode ]]
    }
[[- end ]]
[[- range .Services ]][[ template "group-service" . ]][[ end ]]
[[- range .Tasks ]]

[[ range .Comment ]]    # [[ . ]]
[[ end ]]    task [[ q .Name ]] {
[[- $w := width "driver" (and .User "user") (and .KillSignal "kill_signal") (and .KillTimeout "kill_timeout") (and .ShutdownDelay "shutdown_delay") (and .Leader "leader") ]]
      [[ pad "driver" $w ]] = "docker"
[[- if .User ]]
      [[ pad "user" $w ]] = [[ q .User ]]
[[- end ]]
[[- if .KillSignal ]]
      [[ pad "kill_signal" $w ]] = [[ q .KillSignal ]]
[[- end ]]
[[- if .KillTimeout ]]
      [[ pad "kill_timeout" $w ]] = [[ q .KillTimeout ]]
[[- end ]]
[[- if .ShutdownDelay ]]
      [[ pad "shutdown_delay" $w ]] = [[ q .ShutdownDelay ]]
[[- end ]]
[[- if .Leader ]]
      [[ pad "leader" $w ]] = true
[[- end ]]
[[- with .Lifecycle ]]

      lifecycle {
[[- $l := width "hook" "sidecar" ]]
        [[ pad "hook" $l ]] = [[ q .Hook ]]
        [[ pad "sidecar" $l ]] = [[ .Sidecar ]]
      }
[[- end ]]

      config {
[[- $c := width "image" (and .Entrypoint "entrypoint") (and .Command "command") (and .Args "args") (and .Ports "ports") (and .ShmSize "shm_size") (and .NetworkMode "network_mode") (and .Privileged "privileged") (and .DNSServers "dns_servers") (and .DNSSearchDomains "dns_search_domains") (and .DNSOptions "dns_options") ]]
        [[ pad "image" $c ]] = [[ q .Image ]]
[[- if .Entrypoint ]]
        [[ pad "entrypoint" $c ]] = [[ list .Entrypoint ]]
[[- end ]]
[[- if .Command ]]
        [[ pad "command" $c ]] = [[ q .Command ]]
[[- end ]]
[[- if .Args ]]
        [[ pad "args" $c ]] = [[ list .Args ]]
[[- end ]]
[[- if .Ports ]]
        [[ pad "ports" $c ]] = [[ list .Ports ]]
[[- end ]]
[[- if .ShmSize ]]
        [[ pad "shm_size" $c ]] = [[ .ShmSize ]]
[[- end ]]
[[- if .NetworkMode ]]
        [[ pad "network_mode" $c ]] = [[ q .NetworkMode ]]
[[- end ]]
[[- if .Privileged ]]
        [[ pad "privileged" $c ]] = true
[[- end ]]
[[- if .DNSServers ]]
        [[ pad "dns_servers" $c ]] = [[ list .DNSServers ]]
[[- end ]]
[[- if .DNSSearchDomains ]]
        [[ pad "dns_search_domains" $c ]] = [[ list .DNSSearchDomains ]]
[[- end ]]
[[- if .DNSOptions ]]
        [[ pad "dns_options" $c ]] = [[ list .DNSOptions ]]
[[- end ]]
[[- range .DockerMounts ]]

        mount {
[[- $m := width "type" (and .Source "source") "target" (and .ReadOnly "readonly") ]]
          [[ pad "type" $m ]] = [[ q .Type ]]
[[- if .Source ]]
          [[ pad "source" $m ]] = [[ q .Source ]]
[[- end ]]
          [[ pad "target" $m ]] = [[ q .Target ]]
[[- if .ReadOnly ]]
          [[ pad "readonly" $m ]] = [[ .ReadOnly ]]
[[- end ]]
[[- if .TmpfsSize ]]

          tmpfs_options {
            [[ pad "size" (width "size") ]] = [[ .TmpfsSize ]]
          }
[[- end ]]
        }
[[- end ]]
      }
[[- range .Mounts ]]

      volume_mount {
[[- $m := width "volume" "destination" (and .ReadOnly "read_only") ]]
        [[ pad "volume" $m ]] = [[ q .Volume ]]
        [[ pad "destination" $m ]] = [[ q .Destination ]]
[[- if .ReadOnly ]]
        [[ pad "read_only" $m ]] = [[ .ReadOnly ]]
[[- end ]]
      }
[[- end ]]
[[- with .Vault ]]

      vault {
[[- $v := width (and .Role "role") "change_mode" (and .ChangeSignal "change_signal") ]]
[[- if .Role ]]
        [[ pad "role" $v ]] = [[ q .Role ]]
[[- end ]]
        [[ pad "change_mode" $v ]] = [[ q .ChangeMode ]]
[[- if .ChangeSignal ]]
        [[ pad "change_signal" $v ]] = [[ q .ChangeSignal ]]
[[- end ]]
      }
[[- end ]]
[[- if .Env ]]

      env {
[[- $e := keywidth .Env ]]
[[- range .Env ]]
        [[ pad (key .Key) $e ]] = [[ q .Value ]]
[[- end ]]
      }
[[- end ]]
[[- range .Templates ]]

      template {
[[- $t := width "destination" (and .Perms "perms") (and .Env "env") "change_mode" (and (not .ChangeScript) "data") ]]
        [[ pad "destination" $t ]] = [[ q .Destination ]]
[[- if .Perms ]]
        [[ pad "perms" $t ]] = [[ q .Perms ]]
[[- end ]]
[[- if .Env ]]
        [[ pad "env" $t ]] = [[ .Env ]]
[[- end ]]
        [[ pad "change_mode" $t ]] = [[ q .ChangeMode ]]
[[- with .ChangeScript ]]

        change_script {
[[- $s := width "command" "args" "timeout" "fail_on_error" ]]
          [[ pad "command" $s ]] = [[ q .Command ]]
          [[ pad "args" $s ]] = [[ list .Args ]]
          [[ pad "timeout" $s ]] = [[ q .Timeout ]]
          [[ pad "fail_on_error" $s ]] = [[ .FailOnError ]]
        }
[[- end ]]
[[- if .ChangeScript ]]
[[ $t = width "data" ]]
[[- end ]]
        [[ pad "data" $t ]] = [[ text .Data 8 ]]
      }
[[- end ]]
[[- range .Services ]][[ template "task-service" . ]][[ end ]]
[[- with .Restart ]]

      restart {
[[- $r := width "attempts" "interval" "delay" "mode" ]]
        [[ pad "attempts" $r ]] = [[ .Attempts ]]
        [[ pad "interval" $r ]] = [[ q .Interval ]]
        [[ pad "delay" $r ]] = [[ q .Delay ]]
        [[ pad "mode" $r ]] = [[ q .Mode ]]
      }
[[- end ]]

      resources {
[[- $r := width "cpu" "memory" (and .Resources.MemoryMax "memory_max") ]]
        [[ pad "cpu" $r ]] = [[ .Resources.CPU ]]
        [[ pad "memory" $r ]] = [[ .Resources.Memory ]]
[[- if .Resources.MemoryMax ]]
        [[ pad "memory_max" $r ]] = [[ .Resources.MemoryMax ]]
[[- end ]]
      }
    }
[[- end ]]
  }
[[- end ]]
}
[[ define "group-service" ]]

    service {
[[- $w := width "name" (and .Port "port") "provider" (and .Tags "tags") ]]
      [[ pad "name" $w ]] = [[ q .Name ]]
[[- if .Port ]]
      [[ pad "port" $w ]] = [[ q .Port ]]
[[- end ]]
      [[ pad "provider" $w ]] = [[ q .Provider ]]
[[- if .Tags ]]
      [[ pad "tags" $w ]] = [[ list .Tags ]]
[[- end ]]
[[- range .Checks ]]

      check {
[[- $c := width "type" (and .Path "path") (and .Task "task") (and .Command "command") (and .Args "args") "interval" "timeout" ]]
        [[ pad "type" $c ]] = [[ q .Type ]]
[[- if .Path ]]
        [[ pad "path" $c ]] = [[ q .Path ]]
[[- end ]]
[[- if .Task ]]
        [[ pad "task" $c ]] = [[ q .Task ]]
[[- end ]]
[[- if .Command ]]
        [[ pad "command" $c ]] = [[ q .Command ]]
[[- end ]]
[[- if .Args ]]
        [[ pad "args" $c ]] = [[ list .Args ]]
[[- end ]]
        [[ pad "interval" $c ]] = [[ q .Interval ]]
        [[ pad "timeout" $c ]] = [[ q .Timeout ]]
      }
[[- end ]]
    }
[[- end -]]
[[ define "task-service" ]]

      service {
[[- $w := width "name" (and .Port "port") "provider" (and .Tags "tags") ]]
        [[ pad "name" $w ]] = [[ q .Name ]]
[[- if .Port ]]
        [[ pad "port" $w ]] = [[ q .Port ]]
[[- end ]]
        [[ pad "provider" $w ]] = [[ q .Provider ]]
[[- if .Tags ]]
        [[ pad "tags" $w ]] = [[ list .Tags ]]
[[- end ]]
[[- range .Checks ]]

        check {
[[- $c := width "type" (and .Path "path") (and .Task "task") (and .Command "command") (and .Args "args") "interval" "timeout" ]]
          [[ pad "type" $c ]] = [[ q .Type ]]
[[- if .Path ]]
          [[ pad "path" $c ]] = [[ q .Path ]]
[[- end ]]
[[- if .Task ]]
          [[ pad "task" $c ]] = [[ q .Task ]]
[[- end ]]
[[- if .Command ]]
          [[ pad "command" $c ]] = [[ q .Command ]]
[[- end ]]
[[- if .Args ]]
          [[ pad "args" $c ]] = [[ list .Args ]]
[[- end ]]
          [[ pad "interval" $c ]] = [[ q .Interval ]]
          [[ pad "timeout" $c ]] = [[ q .Timeout ]]
        }
[[- end ]]
      }
[[- end -]]
