/*
 * job: freeing a claimed job's strings (include/model/job.h). Pure; the
 * thread that owns the job.
 */
#include "model/job.h"

#include <stdlib.h>
#include <string.h>

void
job_done(struct job *j)
{
	free(j->cursor);
	for (size_t i = 0; i < j->nwatermark; i++)
		free(j->watermark[i]);
	free(j->watermark);
	memset(j, 0, sizeof *j);
}
