set terminal pngcairo size 1100,600 font "sans,10" noenhanced
set output "latency_cdf_4k_qd1.png"
set title "4 KiB random reads at QD1: latency CDF"
set key outside right top vertical
set grid ytics
set linetype 9 linecolor rgb "#a0522d" pointtype 9
set linetype 10 linecolor rgb "#808080" pointtype 10
set xlabel "latency (us, log scale)"
set ylabel "fraction of reads"
set logscale x
set yrange [0:1]
set key noenhanced
plot for [i=0:8] "latency_cdf_4k_qd1.dat" index i using 1:2 with linespoints title columnheader(1)
