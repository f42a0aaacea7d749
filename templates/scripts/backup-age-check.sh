#!/bin/sh
# placeholder: replaced by the backup scripts branch
set -eu
echo "backup-age-check.sh"
