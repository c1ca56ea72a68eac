# Sourced by scripts/install-system-deps.sh and lab/build-image.sh (bash).
# The mirror of the system's bookworm (non-security) source, deb822 first, then one-line style.
debian_mirror() {
  local uri="" f=/etc/apt/sources.list.d/debian.sources
  if [ -r "$f" ]; then
    uri=$(awk 'BEGIN { RS = ""; FS = "\n" }
      { u = ""; s = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) u = $i
          if ($i ~ /^Suites:/) s = $i
        }
        sub(/^URIs:[ \t]*/, "", u); split(u, a, /[ \t]+/)
        if (s ~ /[ \t]bookworm([ \t]|$)/ && a[1] != "" && a[1] !~ /security/) { print a[1]; exit } }' "$f")
  fi
  if [ -z "$uri" ]; then
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '
      $1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\// && $i !~ /security/) { print $i; exit } }')
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}
