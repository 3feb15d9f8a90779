# Charts for bench/run: gnuplot -e "datdir='DIR'; outdir='DIR'" bench/charts.gp
# Reads the data files written by `gw_loadgen report` (added latency over direct, in microseconds,
# columns: rate nginx_p50 gw_p50 ccr_p50 nginx_p99 gw_p99 ccr_p99; "?" = not measured).
set terminal pngcairo size 1200,480 font "sans,10"
set datafile missing "?"
set logscale y
set grid ytics mytics xtics
set key top left
set xlabel "offered load (requests/s, open loop)"
set ylabel "added latency over direct (µs, log)"
set style data linespoints

do for [w in "small large stream"] {
  f = datdir."/added_".w.".dat"
  rows = int(system("grep -vc '^#' ".f." 2>/dev/null || echo 0"))
  if (rows > 0) {
    set output outdir."/added_".w.".png"
    set multiplot layout 1,2 title (w eq "small" ? "Small requests (about 100 B)" : w eq "large" ? "Claude-Code-sized requests (about 100 KB)" : "Streaming: added time to first event")
    set title "p50"
    plot f using 1:2 title "nginx" lw 2 pt 7, f using 1:3 title "gw" lw 2 pt 5, f using 1:4 title "claude-code-router" lw 2 pt 9
    set title "p99"
    plot f using 1:5 title "nginx" lw 2 pt 7, f using 1:6 title "gw" lw 2 pt 5, f using 1:7 title "claude-code-router" lw 2 pt 9
    unset multiplot
  }
}

f = datdir."/rss.dat"
rows = int(system("grep -vc '^#' ".f." 2>/dev/null || echo 0"))
if (rows > 0) {
  set terminal pngcairo size 640,420 font "sans,10"
  set output outdir."/memory.png"
  unset logscale y
  unset xlabel
  set ylabel "peak RSS (MB)"
  set title "Peak memory of each gateway during the run"
  set style data histograms
  set style fill solid 0.7
  set boxwidth 0.6
  set yrange [0:*]
  unset key
  plot f using 2:xtic(1) lc rgb "#4477aa"
}

f = datdir."/stages.dat"
rows = int(system("grep -vc '^#' ".f." 2>/dev/null || echo 0"))
if (rows > 0) {
  set terminal pngcairo size 1000,440 font "sans,10"
  set output outdir."/stages.png"
  set logscale y
  unset xlabel
  set ylabel "added latency over direct (µs, log)"
  set title "gw: the cost of each stage (full default policy, then one stage switched off)"
  set style data histograms
  set style histogram clustered gap 1
  set style fill solid 0.7
  set boxwidth 0.9
  set yrange [10:*]
  set xtics rotate by -30
  set key top left
  plot f using 2:xtic(1) title "p50" lc rgb "#4477aa", f using 3 title "p99" lc rgb "#ee6677"
}
