import { Module } from '@nestjs/common';
import { SeriesApiController } from './series-api.controller.js';

/** Query APIs over the stores (here: the Prometheus series and label endpoints). */
@Module({ controllers: [SeriesApiController] })
export class QueryApiModule {}
