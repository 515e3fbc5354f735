/*
 * deal_protection.h -- the protection window of a registration: the
 * product line's protection_days, cached per backend (deal_protection.c).
 */
#ifndef DEAL_PROTECTION_H
#define DEAL_PROTECTION_H

/*
 * submitted_at + the product line's protection days of 24 hours each;
 * (Datum) 0 for an unknown line (the foreign key reports it).  May connect SPI lazily
 * (channel_spi_lazy_connect): for the registration trigger only.
 */
Datum		deal_protection_end(Datum submitted_at, const char *product_line);

#endif
