// SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause
/*
 * The names of the request types and status codes as the specification
 * spells them (VIRTIO_IOMMU_T_MAP is "MAP", VIRTIO_IOMMU_S_INVAL is
 * "INVAL"), for the messages and counters of the guest driver and of the
 * vhost backend: one table for both.
 */
#include "pviommu_proto.h"

#ifndef ARRAY_SIZE		/* userspace: compat.h leaves it to the kernel */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

static const char *const req_names[] = {
	[VIRTIO_IOMMU_T_ATTACH]	= "ATTACH",
	[VIRTIO_IOMMU_T_DETACH]	= "DETACH",
	[VIRTIO_IOMMU_T_MAP]	= "MAP",
	[VIRTIO_IOMMU_T_UNMAP]	= "UNMAP",
	[VIRTIO_IOMMU_T_PROBE]	= "PROBE",
};

static const char *const status_names[] = {
	[VIRTIO_IOMMU_S_OK]	= "OK",
	[VIRTIO_IOMMU_S_IOERR]	= "IOERR",
	[VIRTIO_IOMMU_S_UNSUPP]	= "UNSUPP",
	[VIRTIO_IOMMU_S_DEVERR]	= "DEVERR",
	[VIRTIO_IOMMU_S_INVAL]	= "INVAL",
	[VIRTIO_IOMMU_S_RANGE]	= "RANGE",
	[VIRTIO_IOMMU_S_NOENT]	= "NOENT",
	[VIRTIO_IOMMU_S_FAULT]	= "FAULT",
	[VIRTIO_IOMMU_S_NOMEM]	= "NOMEM",
};

/* Counters are indexed up to these: each index must have its name. */
static_assert(ARRAY_SIZE(req_names) ==
	      VIRTIO_IOMMU_T_PROBE + 1, "a name per request type");
static_assert(ARRAY_SIZE(status_names) ==
	      VIRTIO_IOMMU_S_NOMEM + 1, "a name per status code");

/**
 * viommu_model_req_name() - the name of a request type
 * @type: a VIRTIO_IOMMU_T_* value, or anything a driver sent
 *
 * Return: "ATTACH" .. "PROBE", or "?" for a value the spec does not define.
 */
const char *viommu_model_req_name(u8 type)
{
	if (type < ARRAY_SIZE(req_names) && req_names[type])
		return req_names[type];
	return "?";
}
EXPORT_SYMBOL_GPL(viommu_model_req_name);

/**
 * viommu_model_status_name() - the name of a status code
 * @status: a VIRTIO_IOMMU_S_* value, or anything a device wrote
 *
 * Return: "OK" .. "NOMEM", or "?" for a value the spec does not define.
 */
const char *viommu_model_status_name(u8 status)
{
	if (status < ARRAY_SIZE(status_names))
		return status_names[status];
	return "?";
}
EXPORT_SYMBOL_GPL(viommu_model_status_name);
