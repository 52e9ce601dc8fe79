import { runService } from '@storekeeper/platform';
import { service } from './service.ts';

await runService(service);
