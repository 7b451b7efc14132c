#!/usr/bin/env bash
# The core is sans-I/O (docs: design.md): nothing under core/ may include curl or emscripten,
# start threads, read clocks, sleep or touch sockets. Time comes in as an argument.
# Usage: scripts/check-core-purity.sh [DIR...]   (default: core/). Exit 1 on any finding.
# Comments are ignored; string literals are not, so keep such words out of core/ strings too.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- core

# One rule per line: "description<TAB>perl regex".
rules=$(cat <<'EOF'
curl header	#\s*include\s*[<"]curl/
emscripten header	#\s*include\s*[<"]emscripten[/.>"]
emscripten macro or API	\b(EM_ASM\w*|EM_JS|EMSCRIPTEN_KEEPALIVE|EMSCRIPTEN_BINDINGS|emscripten_\w+)\b
thread header	#\s*include\s*<(thread|future|stop_token|pthread\.h|threads\.h)>
thread	\bstd::(thread|jthread|async|this_thread)\b|\bpthread_\w+
clock	\b(steady_clock|system_clock|high_resolution_clock|utc_clock|tai_clock|gps_clock|file_clock)\b|\b(clock_gettime|gettimeofday|timespec_get)\s*\(|\bstd::(time|clock)\s*\(|(?<![\w.>])(::)?time\s*\(\s*(nullptr|NULL|0)\s*\)
sleep	\b(sleep_for|sleep_until|usleep|nanosleep)\b|(?<![\w.>:])sleep\s*\(
socket header	#\s*include\s*<(sys/socket\.h|netinet/\S+|arpa/inet\.h|netdb\.h|sys/un\.h|winsock2?\.h|ws2tcpip\.h|asio\.hpp|boost/asio\S*|poll\.h|sys/epoll\.h|sys/select\.h)>
socket call	\b(socket|socketpair)\s*\(\s*(AF_|PF_)|\b(getaddrinfo|gethostbyname|inet_pton|inet_ntop)\s*\(
EOF
)

mapfile -t files < <(find "$@" -type f \( -name '*.h' -o -name '*.hpp' -o -name '*.hh' -o -name '*.inc' \
  -o -name '*.ipp' -o -name '*.cc' -o -name '*.cpp' -o -name '*.cxx' \) | sort)
if [ ${#files[@]} -eq 0 ]; then
  echo "check-core-purity: no C++ files under $*" >&2
  exit 1
fi

# perl: strip comments (keeping line numbers), then test every rule on every line.
RULES="$rules" perl -e '
  my @rules = map { [split /\t/, $_, 2] } grep { length } split /\n/, $ENV{RULES};
  my $bad = 0;
  for my $file (@ARGV) {
    open my $fh, "<", $file or die "$file: $!";
    local $/; my $src = <$fh>; close $fh;
    $src =~ s{/\*(.*?)\*/}{"\n" x ($1 =~ tr/\n//)}gse;   # block comments
    $src =~ s{//[^\n]*}{}g;                                # line comments
    my $n = 0;
    for my $line (split /\n/, $src, -1) {
      $n++;
      for my $r (@rules) {
        if ($line =~ /$r->[1]/) {
          (my $text = $line) =~ s/^\s+//;
          print "$file:$n: $r->[0]: $text\n";
          $bad++;
        }
      }
    }
  }
  if ($bad) {
    print "check-core-purity: $bad finding(s): core/ must stay free of I/O, threads, clocks and sleeps\n";
    exit 1;
  }
' "${files[@]}"
echo "check-core-purity: ${#files[@]} files clean"
