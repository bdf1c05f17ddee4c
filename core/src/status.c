/* status.c - version and the names of status codes. */
#include "internal.h"

const char *quarry_version(void)
{
    return QUARRY_VERSION_STRING;
}

int quarry_version_number(void)
{
    return QUARRY_VERSION_NUMBER;
}

const char *quarry_status_name(int status)
{
    switch (status) {
    case QUARRY_OK: return "OK";
    case QUARRY_DONE: return "DONE";
    case QUARRY_ENOMEM: return "ENOMEM";
    case QUARRY_EINVAL: return "EINVAL";
    case QUARRY_ENOENT: return "ENOENT";
    case QUARRY_EIO: return "EIO";
    case QUARRY_EPARSE: return "EPARSE";
    case QUARRY_EENCODING: return "EENCODING";
    case QUARRY_ECORRUPT: return "ECORRUPT";
    case QUARRY_ESYNTAX: return "ESYNTAX";
    case QUARRY_EVERSION: return "EVERSION";
    case QUARRY_ELIMIT: return "ELIMIT";
    case QUARRY_EUNSUPPORTED: return "EUNSUPPORTED";
    case QUARRY_EBUSY: return "EBUSY";
    default: return "EUNKNOWN";
    }
}
