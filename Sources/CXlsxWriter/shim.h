#ifndef CALLSHEET_CXLSXWRITER_SHIM_H
#define CALLSHEET_CXLSXWRITER_SHIM_H
#include <xlsxwriter.h>
#endif
