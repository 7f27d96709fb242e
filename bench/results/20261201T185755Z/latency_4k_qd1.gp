set terminal pngcairo size 1100,600 font "sans,10" noenhanced
set output "latency_4k_qd1.png"
set title "4 KiB random read latency at QD1 (median over rounds)"
set key outside right top vertical
set grid ytics
set linetype 9 linecolor rgb "#a0522d" pointtype 9
set linetype 10 linecolor rgb "#808080" pointtype 10
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel "latency (us)"
set yrange [0:*]
set xtics rotate by -20 noenhanced
plot "latency_4k_qd1.dat" using 2:xtic(1) title "p50", "" using 3 title "p99"
