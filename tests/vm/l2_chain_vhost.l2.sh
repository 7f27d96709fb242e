#!/bin/sh
# L2 side of l2_chain_vhost (see chain_l2.sh).
. /tests/chain_l2.sh
