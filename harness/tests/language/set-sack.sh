#!/bin/sh
# Used by shell-script-in-folder.pkt: run from the script's folder.
sysctl -q net.ipv4.tcp_sack="$1" && sysctl -q net.ipv4.tcp_timestamps=0
