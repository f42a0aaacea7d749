# Attributes of different key lengths, misaligned, mis-indented, with trailing spaces and a tab.
job "alignment" {
datacenters = ["dc1"]
    type = "service"   
  priority=50
	namespace    =   "default"

  group "g" {
    count = 1
    restart {
      attempts = 2
          interval = "30m"
      delay="15s"
      mode = "fail"
    }
  }
}
