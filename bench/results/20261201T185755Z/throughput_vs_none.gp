set terminal pngcairo size 1100,600 font "sans,10" noenhanced
set output "throughput_vs_none.png"
set title "I/O throughput relative to no vIOMMU (a) = 1; median over rounds, error bars min-max"
set key outside right top vertical
set grid ytics
set linetype 9 linecolor rgb "#a0522d" pointtype 9
set linetype 10 linecolor rgb "#808080" pointtype 10
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set ylabel "throughput / (a)"
set yrange [0:*]
set xtics noenhanced
set key noenhanced
plot for [i=0:7] "throughput_vs_none.dat" using (column(2+3*i)):(column(3+3*i)):(column(4+3*i)):xtic(1) title columnhead(2+3*i)
